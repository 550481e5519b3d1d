"""fgc: one fargate.yaml to a production ECS Fargate application."""

__version__ = "0.1.0"
