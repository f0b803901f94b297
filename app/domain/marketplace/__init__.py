"""The marketplace and catalogue: workshop search and pages, categories, car brands, favourites."""
