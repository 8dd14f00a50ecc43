"""The public catalogue read model: territories, agencies, services and BHM rates."""

from projections.catalogue.projection import CatalogueProjection
from projections.catalogue.view import CatalogueView

__all__ = ["CatalogueProjection", "CatalogueView"]
