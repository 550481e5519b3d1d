"""fgc's CloudFormation engine, answering the CloudFormation API in place of moto's.

moto's own CloudFormation fails the API call when a resource fails, records no per-resource
events, re-creates changed nested stacks and has no nested outputs; deploy tests need all of
that to behave like AWS. So this package implements the API (``api.py`` over ``protocol.py``),
change-set planning (``planner.py``) and stack operations (``engine.py``), and keeps moto's
``CloudFormationModel`` contract for the resources themselves (``provider.py``): moto's models
and ours in ``emulator.resources`` are driven exactly as moto drives them.
"""
