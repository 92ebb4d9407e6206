from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

bp = Blueprint("health")


@bp.get("/health")
async def health(request: Request) -> HTTPResponse:
    kb = request.app.ctx.kb
    return json({"status": "ok", "articles": len(kb.articles())})
