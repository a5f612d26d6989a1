"""One Telegram message as t.me shows it (``.tgme_widget_message``): in the embed widget,
on a ``t.me/s/<channel>`` page, or listed in a channel's feed."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from archiver.models import Media, Origin, Poll, Post
from archiver.page_context import PageContext

from . import pagetools
from .counts import parse_count

CHANNEL = r"[A-Za-z0-9_]{3,32}"

MESSAGE_JS = """(msg) => {
  const q = (sel) => msg.querySelector(sel);
  // textContent, not innerText: an emoji shown as a picture keeps its character either way.
  const shown = (el) => el ? (el.textContent || '').replace(/\\s+/g, ' ').trim() || null : null;
  const urlOf = (el) => {
    const found = /url\\(["']?(.*?)["']?\\)/.exec((el && el.style.backgroundImage) || '');
    return found && !found[1].startsWith('data:') ? new URL(found[1], document.baseURI).href : null;
  };
  // A reply's or link preview's pictures are someone else's content.
  const own = (el) => !el.closest('.tgme_widget_message_reply, .tgme_widget_message_link_preview');
  const owner = q('.tgme_widget_message_owner_name');
  const text = q('.tgme_widget_message_bubble > .tgme_widget_message_text')
    || q('.tgme_widget_message_text');
  const time = q('.tgme_widget_message_date time[datetime]') || q('time[datetime]');
  const forwarded = q('.tgme_widget_message_forwarded_from_name');
  const reply = q('a.tgme_widget_message_reply');
  const preview = q('a.tgme_widget_message_link_preview');
  const date = q('a.tgme_widget_message_date');
  const media = [];
  // Album items and single media, in page order.
  const items = msg.querySelectorAll(
    '.tgme_widget_message_photo_wrap, .tgme_widget_message_video_player, ' +
    '.tgme_widget_message_roundvideo_player, audio.tgme_widget_message_voice, ' +
    '.tgme_widget_message_voice_player audio');
  for (const item of Array.from(items).filter(own)) {
    if (item.classList.contains('tgme_widget_message_photo_wrap')) {
      const url = urlOf(item);
      if (url) media.push({kind: 'image', url});
    } else if (item.tagName === 'AUDIO') {
      const player = item.closest('.tgme_widget_message_voice_player') || msg;
      if (item.src) media.push({kind: 'audio', url: item.src,
        duration: shown(player.querySelector('.tgme_widget_message_voice_duration'))});
    } else {
      const video = item.querySelector('video');
      const thumb = urlOf(item.querySelector('.tgme_widget_message_video_thumb, ' +
                                             '.tgme_widget_message_roundvideo_thumb'));
      if (video && video.src) media.push({kind: 'video', url: video.src});
      else if (thumb) media.push({kind: 'image', url: thumb,
        note: 'thumbnail only: the web preview does not offer this video'});
    }
  }
  // Stickers: a picture (webp, named in data-webp until telegram.org's script shows it), an
  // animated Lottie file (.tgs) or a video (webm).
  for (const wrap of Array.from(msg.querySelectorAll('.tgme_widget_message_sticker_wrap')).filter(own)) {
    const picture = wrap.querySelector('.tgme_widget_message_sticker');
    const lottie = wrap.querySelector('source[type="application/x-tgsticker"]');
    const video = wrap.querySelector('video');
    const webp = picture && (picture.dataset.webp || urlOf(picture));
    if (webp) media.push({kind: 'sticker', url: new URL(webp, document.baseURI).href, load: 'image'});
    else if (lottie && lottie.srcset) media.push({kind: 'sticker', load: 'file',
      url: new URL(lottie.srcset.split(' ')[0], document.baseURI).href,
      note: 'animated sticker: a gzipped Lottie animation (.tgs), not a picture'});
    else if (video && video.src) media.push({kind: 'sticker', url: video.src, load: 'video'});
  }
  // Files and music: t.me names them but offers no file to fetch.
  const documents = Array.from(msg.querySelectorAll('.tgme_widget_message_document_wrap')).filter(own)
    .map(wrap => ({
      title: shown(wrap.querySelector('.tgme_widget_message_document_title')),
      extra: shown(wrap.querySelector('.tgme_widget_message_document_extra')),
      audio: !!wrap.querySelector('.tgme_widget_message_document_icon.audio'),
    }));
  const poll = q('.tgme_widget_message_poll');
  const anchors = text ? Array.from(text.querySelectorAll('a[href]')).map(a => ({
    href: a.href, raw: a.getAttribute('href'), text: (a.textContent || '').trim(),
  })) : [];
  return {
    post: msg.dataset.post,
    url: date ? date.href : null,
    owner: owner ? (owner.innerText || owner.textContent).trim() : null,
    ownerUrl: owner ? owner.href : null,
    text: text ? text.innerText.trim() : null,
    time: time ? time.getAttribute('datetime') : null,
    forwarded: forwarded ? {name: shown(forwarded), url: forwarded.href || null,
      author: shown(q('.tgme_widget_message_forwarded_from_author'))} : null,
    reply: reply ? {url: reply.href,
      author: shown(reply.querySelector('.tgme_widget_message_author_name')),
      text: shown(reply.querySelector('.js-message_reply_text'))} : null,
    preview: preview ? {url: preview.href,
      site: shown(preview.querySelector('.link_preview_site_name')),
      title: shown(preview.querySelector('.link_preview_title'))} : null,
    views: shown(q('.tgme_widget_message_views')),
    signature: shown(q('.tgme_widget_message_from_author')),
    poll: poll ? {
      question: shown(poll.querySelector('.tgme_widget_message_poll_question')),
      type: shown(poll.querySelector('.tgme_widget_message_poll_type')),
      options: Array.from(poll.querySelectorAll('.tgme_widget_message_poll_option')).map(o => ({
        text: shown(o.querySelector('.tgme_widget_message_poll_option_text')),
        result: shown(o.querySelector('.tgme_widget_message_poll_option_percent')),
      })),
      voters: shown(q('.tgme_widget_message_voters')),
    } : null,
    media, anchors, documents,
  };
}"""

# Every message of a page at once (a channel's feed).
MESSAGES_JS = f"(messages) => messages.map({MESSAGE_JS})"


def channel_of(url: str) -> str | None:
    parts = urlsplit(url)
    first = parts.path.strip("/").split("/")[0] if parts.path else ""
    return first if re.fullmatch(CHANNEL, first) else None


def fill_from_message(post: Post, data: dict[str, Any], sources: dict[str, str],
                      notes: list[str]) -> None:
    post.post_id = data["post"]
    sources["post_id"] = "dom:.tgme_widget_message[data-post]"
    if data["owner"]:
        post.author.display_name = data["owner"]
        sources["author.display_name"] = "dom:.tgme_widget_message_owner_name"
    if data["ownerUrl"]:
        post.author.url = data["ownerUrl"]
        post.author.handle = channel_of(data["ownerUrl"])
        sources["author.url"] = sources["author.handle"] = \
            "dom:.tgme_widget_message_owner_name[href]"
    if data["time"]:
        post.published_at = data["time"]
        sources["published_at"] = "dom:.tgme_widget_message_date time[datetime]"
    if data["text"] is not None:
        post.text = data["text"]
        sources["text"] = "dom:.tgme_widget_message_text"
    if data["signature"]:
        post.signature = data["signature"]
        sources["signature"] = "dom:.tgme_widget_message_from_author"
    if data["forwarded"]:
        read_forwarded(post, data["forwarded"], sources, notes)
    if data["reply"]:
        read_reply(post, data["reply"], sources, notes)
    if data["poll"]:
        read_poll(post, data["poll"], sources, notes)
    views = parse_count(data["views"])
    if views is not None:
        post.counts.views = views
        sources["counts.views"] = "dom:.tgme_widget_message_views"
        if not data["views"].isdigit():
            notes.append(f"views shown rounded as {data['views']!r}; stored as {views}")
    read_media(post, data["media"], sources)
    read_documents(data["documents"], notes)
    read_anchors(post, data["anchors"], sources)
    if data["preview"]:
        read_preview(post, data["preview"], sources, notes)


def read_forwarded(post: Post, forwarded: dict[str, str | None], sources: dict[str, str],
                   notes: list[str]) -> None:
    # A channel or public user links to the original; a user who hides their account shows a name only.
    url = forwarded["url"]
    post.forwarded_from = Origin(name=forwarded["name"], url=url, handle=channel_of(url or ""))
    sources["forwarded_from"] = "dom:.tgme_widget_message_forwarded_from_name"
    if url is None:
        notes.append("forwarded from an account Telegram does not link to: only its name is shown")
    if forwarded["author"]:
        notes.append(f"the forwarded post is signed {forwarded['author']!r} in its channel")


def read_reply(post: Post, reply: dict[str, str | None], sources: dict[str, str],
               notes: list[str]) -> None:
    # The post model keeps only the replied message's address; its author and the excerpt t.me
    # shows of it ("Video" for a video without caption) go to the notes.
    post.reply_to = reply["url"]
    sources["reply_to"] = "dom:a.tgme_widget_message_reply[href]"
    if reply["author"] or reply["text"]:
        notes.append(f"replies to {reply['url']}, a message by {reply['author']!r} "
                     f"shown as {reply['text']!r}")


def read_preview(post: Post, preview: dict[str, str | None], sources: dict[str, str],
                 notes: list[str]) -> None:
    # The preview may name another address than the text's link (https://python.org/ previewed
    # as https://www.python.org/): both are the message's links.
    url = preview["url"]
    if not url:
        return
    if url not in post.links:
        post.links.append(url)
        sources["links"] = "dom:.tgme_widget_message_text a, a.tgme_widget_message_link_preview[href]"
    notes.append(f"link preview of {url}: site {preview['site']!r}, title {preview['title']!r}")


def read_poll(post: Post, poll: dict[str, Any], sources: dict[str, str], notes: list[str]) -> None:
    options = poll["options"]
    post.poll = Poll(question=poll["question"] or "",
                     options=[o["text"] or "" for o in options],
                     results=[o["result"] or "" for o in options],
                     total_votes=parse_count(poll["voters"]))
    sources["poll"] = "dom:.tgme_widget_message_poll"
    if poll["voters"]:
        sources["poll.total_votes"] = "dom:.tgme_widget_message_voters"
    if poll["type"]:
        notes.append(f"poll shown as {poll['type']!r}")


def read_media(post: Post, items: list[dict[str, str]], sources: dict[str, str]) -> None:
    for item in items:
        post.media.append(Media(kind=item["kind"], url=item["url"], note=item.get("note"),
                                duration=seconds(item.get("duration"))))
    kinds = {item["kind"] for item in items}
    if kinds - {"sticker"}:
        sources["media"] = ("dom:.tgme_widget_message_photo_wrap background-image, "
                            ".tgme_widget_message_video[src]")
    if "audio" in kinds:
        sources["media.duration"] = "dom:.tgme_widget_message_voice_duration"
    if "sticker" in kinds:
        sources["media.sticker"] = ("dom:.tgme_widget_message_sticker[data-webp], "
                                    "source[type=application/x-tgsticker][srcset], "
                                    ".tgme_widget_message_sticker_wrap video[src]")


def read_documents(documents: list[dict[str, Any]], notes: list[str]) -> None:
    # No media item: the preview gives neither the file nor its address, only what it is called
    # (and a music file's performer or a file's size).
    for document in documents:
        kind = "an audio file" if document["audio"] else "a file"
        extra = f" ({document['extra']})" if document["extra"] else ""
        notes.append(f"{kind} is attached, named {document['title']!r}{extra}; "
                     "t.me's preview does not offer the file")


def seconds(shown: str | None) -> float | None:
    """A length as the player shows it ("0:01", "1:02:03")."""
    if not shown or not re.fullmatch(r"\d+(:\d{2}){1,2}", shown):
        return None
    total = 0
    for part in shown.split(":"):
        total = total * 60 + int(part)
    return float(total)


async def load_stickers(ctx: PageContext, items: list[dict[str, str]]) -> None:
    """Have the browser fetch stickers the page names but does not show without telegram.org's script."""
    wanted = [(item["url"], item["load"]) for item in items if item["kind"] == "sticker"]
    if wanted:
        await ctx.load_media(wanted)


def read_anchors(post: Post, anchors: list[dict[str, str]], sources: dict[str, str]) -> None:
    for anchor in anchors:
        raw, text = anchor["raw"] or "", anchor["text"]
        if raw.startswith("?q=") and text.startswith(("#", "$")):
            post.hashtags.append(text[1:])
        elif text.startswith("@") and re.fullmatch(CHANNEL, text[1:]):
            post.mentions.append(text[1:])
        elif anchor["href"].startswith(("http://", "https://")):
            post.links.append(anchor["href"])
    pagetools.note_entity_sources(post, sources, "dom:.tgme_widget_message_text a")
