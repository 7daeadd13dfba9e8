"""HTTP API of the service."""
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from app.model import predict, trained_model

api = FastAPI(title="iris-service")


class Flower(BaseModel):
    measurements: list[float]


@api.get("/health")
def health() -> dict:
    _, accuracy = trained_model()
    return {"status": "ok", "accuracy": round(accuracy, 3)}


@api.post("/predict")
def predict_species(flower: Flower) -> dict:
    try:
        return {"species": predict(flower.measurements)}
    except ValueError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
