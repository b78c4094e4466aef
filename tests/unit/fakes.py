"""Stand-ins shared by unit tests, each for a part the test does not exercise."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


class GivenVector:
    """The query encoder of a search whose question vector the test gives: it must never be asked to embed."""

    name = "given"

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        raise AssertionError("the question vector is given")
