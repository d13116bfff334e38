"""Project 1's library: the networks (models), their training and rounds (training), the experiments that
the scripts run (experiment) and the variants of the ablation and the selection (variants)."""
