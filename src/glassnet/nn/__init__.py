"""Neural-network building blocks. For now the functional interface (`glassnet.nn.functional`)."""

from glassnet.nn import functional  # noqa: F401
