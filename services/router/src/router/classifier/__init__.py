"""The router's text classifier: training, prediction with a confidence, and the two command-line tools."""
