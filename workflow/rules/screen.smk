# screen stage
