"""Name lists for the benchmark corpus: the seed surface forms to replace, and generated stand-ins.

Stand-ins are built from fixed character lists with a fixed random seed, so every run produces the
same pools. They are plausible but (mostly) fictional, which is the point: a benchmark corpus should
contain many names the extractor's dictionary has never seen, as years of real news would.
"""

from __future__ import annotations

import random

#: Surface forms that occur in seeds/ and are swapped per document, by entity type. Only whole
#: names that do not occur inside longer names we keep (e.g. not 讯飞, which is inside 讯飞星火).
SEED_NAMES: dict[str, tuple[str, ...]] = {
    "Company": (
        "科大讯飞", "科大訊飛", "华为", "華爲", "華為", "英伟达", "英偉達", "寒武纪", "寒武紀",
        "谷歌", "微软", "高盛", "中国移动", "中国石油", "中国海油", "赛迪顾问", "深度求索",
    ),
    "Person": (
        "刘庆峰", "劉慶峰", "梁文锋", "梁文鋒", "任正非", "闫俊文", "许昊杰", "许可亮", "李笛",
        "董温淑", "邵文", "梁昌均",
    ),
    "Place": ("合肥", "杭州", "安徽", "北京", "上海", "深圳"),
}

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭"
    "曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖"
    "贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚英华玉萍红玲丹斌鹏辉宇浩"
    "凯健俊帆旭宁龙林欣晨阳博文昊天佳然思远涵雨泽诺轩睿嘉怡峰建国志"
)
_BRANDS = (
    "星河", "云帆", "华信", "蓝海", "瑞安", "博远", "天启", "智源", "鼎盛", "恒通", "新元", "凌云", "飞鸿",
    "启明", "长风", "金桥", "宏图", "远景", "海纳", "青松", "明德", "卓越", "东方", "南山", "北辰", "光合",
    "极光", "深蓝", "银河", "紫光", "万象", "天衡", "曙光", "磐石", "澜舟", "昆仑", "九章", "赤兔",
)
_INDUSTRIES = (
    "科技", "智能", "网络", "半导体", "医疗", "汽车", "电子", "数据", "信息", "能源", "软件", "通信",
)
_SUFFIXES = ("", "", "", "集团", "股份", "控股")
_PLACES = (
    "北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "重庆", "天津", "长沙",
    "郑州", "青岛", "厦门", "宁波", "无锡", "济南", "沈阳", "大连", "哈尔滨", "长春", "石家庄", "太原",
    "合肥", "南昌", "福州", "昆明", "贵阳", "南宁", "海口", "兰州", "西宁", "银川", "呼和浩特", "乌鲁木齐",
    "珠海", "东莞", "佛山", "常州", "温州", "绍兴", "芜湖", "洛阳", "徐州", "烟台", "泉州", "惠州", "雄安",
)


def person_pool(rng: random.Random, size: int = 5000) -> list[str]:
    """``size`` distinct Chinese personal names (surname + one or two given-name characters)."""
    names: dict[str, None] = {}
    while len(names) < size:
        given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        names[rng.choice(_SURNAMES) + given] = None
    return list(names)


def company_pool(rng: random.Random, size: int = 2000) -> list[str]:
    """``size`` distinct company names (brand + industry + optional suffix)."""
    names: dict[str, None] = {}
    limit = len(_BRANDS) ** 2 * len(_INDUSTRIES) * len(_SUFFIXES)
    while len(names) < min(size, limit):
        brand = rng.choice(_BRANDS)
        if rng.random() < 0.3:  # some brands are four characters long
            brand += rng.choice(_BRANDS)
        names[brand + rng.choice(_INDUSTRIES) + rng.choice(_SUFFIXES)] = None
    return list(names)


def place_pool() -> list[str]:
    """Real Chinese city names (a closed list: places recur, unlike people and companies)."""
    return list(_PLACES)
