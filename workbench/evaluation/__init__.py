"""Evaluation evidence: results files (one reader per tool), runs, their tallies, the
evidence they give the thresholds, and test-set sizing."""
