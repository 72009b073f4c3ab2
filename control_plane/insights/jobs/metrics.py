"""Job kinds of the metrics: apps' performance and system metrics, gathered on a schedule."""
