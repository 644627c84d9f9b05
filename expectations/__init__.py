"""Great Expectations suites, installed as package data of `hygiene_pipeline.expectations`."""
