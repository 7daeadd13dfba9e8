"""A small classifier trained at import time on scikit-learn's bundled iris data set."""
from functools import lru_cache

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

SPECIES = ("setosa", "versicolor", "virginica")


@lru_cache(maxsize=1)
def trained_model() -> tuple[LogisticRegression, float]:
    """Fits the model once and returns it with its accuracy on a held-out split."""
    features, labels = load_iris(return_X_y=True)
    train_x, test_x, train_y, test_y = train_test_split(
        features, labels, test_size=0.25, random_state=0, stratify=labels
    )
    model = LogisticRegression(max_iter=500).fit(train_x, train_y)
    return model, float(model.score(test_x, test_y))


def predict(measurements: list[float]) -> str:
    """Species name for one flower: sepal length/width, petal length/width in cm."""
    if len(measurements) != 4:
        raise ValueError("expected 4 measurements: sepal length, sepal width, petal length, petal width")
    model, _ = trained_model()
    index = int(model.predict(np.asarray([measurements]))[0])
    return SPECIES[index]
