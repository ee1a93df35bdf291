"""The catalog: collections, granules and browse images, and searching them."""
