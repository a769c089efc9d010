"""pyhalyard: a daemonless Halyard for distributed, highly-available Spinnaker on Kubernetes."""

__version__ = "0.1.0"
