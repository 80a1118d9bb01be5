"""A typed client for the sandbox's API (``tether serve``, shaped like JSONPlaceholder).

``Placeholder(client)`` gives ``users``, ``posts``, ``comments``, ``albums``, ``photos``,
``todos`` (each a :class:`tether.Resource`), their nested routes
(``api.users.posts(1)``, ``api.posts.comments(3)``, ``api.albums.photos(2)`` ...) and
``profile``. It is built with tether's public ``Model``/``Resource`` API only: read
``_api.py`` and ``_models.py`` as a template for your own API.

Example::

    import tether
    from tether.placeholder import Placeholder

    with tether.Client(base_url="http://127.0.0.1:8000") as client:
        api = Placeholder(client)
        post = api.posts.get(1)                 # a Post
        for comment in api.posts.comments(post.id).list():
            print(comment.email)
"""

from tether.placeholder._api import (
    Albums,
    Comments,
    Photos,
    Placeholder,
    Posts,
    Profile,
    Todos,
    Users,
)
from tether.placeholder._models import (
    Address,
    Album,
    Comment,
    Company,
    Geo,
    Photo,
    Post,
    Todo,
    User,
)

__all__ = [
    "Address",
    "Album",
    "Albums",
    "Comment",
    "Comments",
    "Company",
    "Geo",
    "Photo",
    "Photos",
    "Placeholder",
    "Post",
    "Posts",
    "Profile",
    "Todo",
    "Todos",
    "User",
    "Users",
]
