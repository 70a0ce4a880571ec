"""Relations between the mentions of a sentence: values, the materials and properties they belong to, and their conditions."""
