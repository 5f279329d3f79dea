"""Accounts are not in the Django admin: the system administrator manages them in its own
console (账号管理), where the separation rules live in one service and every action is
audited. An admin form would be a second way around both."""
