"""Norwegian reference data for the demo seed: places, categories, service templates, car brands, names."""
