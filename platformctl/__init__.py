"""platformctl: offline plans, policy verdicts and stack tooling for Pulumi Python projects."""
