"""Programme admins' reports: dashboard, attendance exports, anonymous feedback, certificates."""
