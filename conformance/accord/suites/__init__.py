"""Protocol suites: one package per protocol, registering its checks on import."""
