"""Sample Flask service that the repository's fargate.yaml deploys (see app/main.py)."""
