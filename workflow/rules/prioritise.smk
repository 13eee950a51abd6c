# prioritise stage
