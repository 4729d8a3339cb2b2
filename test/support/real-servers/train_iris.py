"""Trains the scikit-learn iris classifier MLServer serves in the real-server tests, and writes MLServer's
model folder: model.joblib and model-settings.json (the mlserver_sklearn runtime).
Usage: python train_iris.py OUT_DIR"""
import json
import os
import sys

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=500).fit(X, y)
assert model.score(X, y) > 0.9, "the iris model did not train"
joblib.dump(model, os.path.join(out, "model.joblib"))
with open(os.path.join(out, "model-settings.json"), "w") as f:
    json.dump({"name": "iris", "implementation": "mlserver_sklearn.SKLearnModel",
               "parameters": {"uri": "./model.joblib", "version": "1"}}, f)
print(out)
