"""cmrnet: training and certification in cardiovascular magnetic resonance."""

__version__ = "0.1.0"
