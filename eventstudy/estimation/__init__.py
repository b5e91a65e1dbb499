"""From prices to abnormal returns: returns on a calendar, the aligned panel, normal-return models and
the engine (ARs, CARs and their variances)."""
