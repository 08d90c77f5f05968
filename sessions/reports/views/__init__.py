"""The programme pages: dashboard, cohorts, exports, feedback and certificates."""
