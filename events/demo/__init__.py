"""The Kazakhstan-crisis demo: curated content (data.py) and the seed article it is built on.

``events.services.demo.demo_load`` writes it; ``manage.py load_demo`` is its command.
"""
