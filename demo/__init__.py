"""Demo and scale data: the illustrative data `manage.py seed_demo` loads for `scripts/run.sh`, and the
bulk dataset `manage.py seed_scale` builds for `bench/`. Nothing else lives here.

It sits at the top beside `hitportal`: it writes through every app's services, and no app imports it.
"""
