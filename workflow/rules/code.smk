# code stage
