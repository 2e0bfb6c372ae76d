"""How a request reached the platform."""

from enum import StrEnum


class Channel(StrEnum):
    """Intake channels; the value is stored and carried in events."""

    QR_H5 = "qr_h5"
    API = "api"
    OPEN311 = "open311"
    HOTLINE_12345 = "hotline_12345"
    GRID_PATROL = "grid_patrol"
    VOLUNTEER = "volunteer"
    WECHAT_GROUP = "wechat_group"
    STAFF_PROXY = "staff_proxy"


CHANNEL_NAMES: dict[Channel, str] = {
    Channel.QR_H5: "扫码上报",
    Channel.API: "开放接口",
    Channel.OPEN311: "Open311",
    Channel.HOTLINE_12345: "12345热线转办",
    Channel.GRID_PATROL: "网格巡查发现",
    Channel.VOLUNTEER: "志愿者上报",
    Channel.WECHAT_GROUP: "微信群代录",
    Channel.STAFF_PROXY: "工作人员代报",
}
