"""Every default the compiler chooses on the user's behalf, in one visible place.

Spec-level defaults (cpu, memory, retention, ...) live in the spec models; these are
the choices below the spec: how resources are configured when the spec says nothing.
"""

from __future__ import annotations

# Load balancer (cluster stack) ------------------------------------------------
#: TLS 1.3 with TLS 1.2 fallback, forward secrecy only.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
DESYNC_MITIGATION = "defensive"
DROP_INVALID_HEADER_FIELDS = True

# Containers -------------------------------------------------------------------
#: awslogs options besides group/region/prefix: never block the app on a slow log pipe.
LOG_DRIVER_OPTIONS = {"mode": "non-blocking", "max-buffer-size": "25m"}
#: the writable scratch volume mounted when ``readonly_root`` is on.
TMP_VOLUME = "tmp"
TMP_PATH = "/tmp"
#: ECS Exec's SSM agent writes its state and logs here: with a read-only root these get
#: writable volumes of their own (volume name -> path), or the agent cannot start.
EXEC_WRITABLE_PATHS = {"exec-state": "/var/lib/amazon", "exec-logs": "/var/log/amazon"}
#: Fargate platform: always the latest patched one.
PLATFORM_VERSION = "LATEST"

# Service discovery ------------------------------------------------------------
DISCOVERY_TTL = 10  # seconds; short so replaced tasks drop out of DNS quickly
DISCOVERY_FAILURE_THRESHOLD = 1

# Security groups --------------------------------------------------------------
EGRESS_DESCRIPTION = "All outbound traffic (image pulls, AWS APIs, dependencies)"

# IAM --------------------------------------------------------------------------
#: actions needed to pull from ECR besides GetAuthorizationToken (which only works on "*").
ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
LOG_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]
#: ECS Exec: the SSM agent's channels; these actions support no resource scoping.
EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]

# Listener rules ---------------------------------------------------------------
#: ALB rule priorities 1..50000 are split into bands so more specific rules are evaluated
#: first whatever the hash says (see compiler/priorities.py).
PRIORITY_MAX = 50000

# Deployments ------------------------------------------------------------------
#: Deployment alarms judge each minute, and go to ALARM when 2 of the last 3 minutes breach:
#: quick enough to stop a canary inside its bake, not so quick that one bad minute rolls back.
ALARM_PERIOD = 60
ALARM_EVALUATION_PERIODS = 3
ALARM_DATAPOINTS = 2
#: The test listener's rule is the only rule of its listener.
TEST_RULE_PRIORITY = 1
