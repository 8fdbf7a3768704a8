"""What every layer may use: settings, the database and its models, errors, times, roles,
personal-data sealing, geography, labels, HTTP, logs and the reference layers."""
