from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "letters.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns and letters"
