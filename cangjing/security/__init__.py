"""Security of a deployment: who may publish and read what on the broker (acl.py), their
secrets (credentials.py), keeping secrets out of logs (redact.py), and the commands that
set a deployment up (cli.py: `cangjing mqtt-acl`, `cangjing influx-setup`, `cangjing health`).
"""
