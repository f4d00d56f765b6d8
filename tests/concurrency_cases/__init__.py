"""The edit and create pages of every app, as cases for tests/test_edit_conflicts.py and
tests/test_double_submit.py: one module per app, each with EDIT_CASES and CREATE_CASES."""
