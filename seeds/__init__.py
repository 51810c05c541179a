"""The five seed articles ``kg build`` reads when given no input (shipped inside the package as ``kg.seeds``)."""
