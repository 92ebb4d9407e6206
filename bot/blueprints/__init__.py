"""One Blueprint per domain; the package tree matches the URL tree."""

from sanic import Blueprint

from bot.blueprints.agent import bp as agent
from bot.blueprints.agents import bp as agents
from bot.blueprints.articles import bp as articles
from bot.blueprints.articles import page_bp as article_pages
from bot.blueprints.auth import bp as auth
from bot.blueprints.chat import bp as chat
from bot.blueprints.health import bp as health
from bot.blueprints.questions import bp as questions
from bot.blueprints.reports import bp as reports
from bot.blueprints.search import bp as search
from bot.blueprints.tickets import bp as tickets

api = Blueprint.group(search, tickets, articles, auth, agents, questions, reports, url_prefix="/api")
pages = Blueprint.group(chat, agent, article_pages, health)

__all__ = ["api", "pages"]
