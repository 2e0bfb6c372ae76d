"""Delivery channels: webhook, e-mail, WeCom and DingTalk group robots, SMS gateway."""
