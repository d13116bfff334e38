"""Test set-up: the repository root on the path (the data sets provide themselves: course_data.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
