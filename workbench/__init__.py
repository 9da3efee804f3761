"""workbench: an offline tool for AI deployment-readiness workshops."""

__version__ = "0.1.0"
