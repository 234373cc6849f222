"""Attack tests: each finding reproduced, with a positive control."""
