"""The bundled simulator of the direkt platform API (``shared/api/openapi.yaml``).

from direkt_tui.sim import SimServer, generate_world, load_scenario
world = generate_world(seed=1, speed=60)            # or load_scenario("01-….json")
with SimServer(world, port=0, token="demo") as srv:  # 127.0.0.1 only
    ...  # srv.base_url ends in /api/v1; world.set_faults(...), world.advance(seconds)
"""

from .changelog import ChangeLog, CursorGone
from .faults import Faults
from .generate import generate_world
from .scenario import ScenarioError, load_scenario, world_from_scenario
from .server import SimServer
from .timeutil import SimClock
from .world import ApiError, World

__all__ = [
    "ApiError",
    "ChangeLog",
    "CursorGone",
    "Faults",
    "ScenarioError",
    "SimClock",
    "SimServer",
    "World",
    "generate_world",
    "load_scenario",
    "world_from_scenario",
]
