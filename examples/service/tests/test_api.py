from fastapi.testclient import TestClient

from app.main import api

client = TestClient(api)


def test_health_reports_model_accuracy():
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_predict_endpoint():
    response = client.post("/predict", json={"measurements": [5.0, 3.4, 1.5, 0.2]})
    assert response.status_code == 200
    assert response.json() == {"species": "setosa"}


def test_predict_rejects_bad_input():
    response = client.post("/predict", json={"measurements": [1.0]})
    assert response.status_code == 422
