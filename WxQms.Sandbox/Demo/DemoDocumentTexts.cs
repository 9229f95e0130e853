using WxQms.Domain.Rules.Documents;

namespace WxQms.Sandbox.Demo;

/// <summary>A demo document: number, title, level, owner, and its versions' texts (the last may stay a draft).</summary>
internal sealed record DemoDocument(string Number, string Title, DocumentLevel Level, string Owner, string Body);

/// <summary>
/// The demo's controlled documents, written for it in Chinese: a short quality manual, three procedures, five work
/// instructions, and the party regulations they rest on (outlines in our words; the official texts govern).
/// </summary>
internal static class DemoDocumentTexts
{
    public const string ManualV1 = """
        # 党建质量管理手册

        ## 1 范围
        本手册适用于街道党工委及所属社区党委、党支部、党小组的党建工作，规定党建质量管理体系的要求。

        ## 2 引用文件
        《中国共产党章程》《中国共产党支部工作条例（试行）》《中国共产党发展党员工作细则》《关于中国共产党党费收缴、使用和管理的规定》。

        ## 3 组织与职责
        ### 3.1 街道党工委
        对本街道党建质量负总责，批准本手册和程序文件。
        ### 3.2 街道党建办
        负责体系的日常运行、文件控制、任务计划和考核。
        ### 3.3 党支部
        按职责目录完成“三会一课”等组织生活，及时上传佐证材料。

        ## 4 运行
        各项职责按程序文件和工作规范执行，系统按职责目录生成任务并提醒。

        ## 5 检查与改进
        街道党建办每季度通报任务完成情况，对逾期事项督促整改。
        """;

    /// <summary>The manual's second version (in force): 巡查员 added, clauses cited, 自查自纠 and corrective action spelled out.</summary>
    public static readonly string ManualV2 = Revise(ManualV1,
        ("""
        ### 3.3 党支部
        按职责目录完成“三会一课”等组织生活，及时上传佐证材料。
        """, """
        ### 3.3 党支部
        按职责目录完成“三会一课”等组织生活，及时上传佐证材料。
        ### 3.4 巡查员
        由街道党工委任命，按季度巡查各支部，记录发现的问题。
        """),
        ("系统按职责目录生成任务并提醒。", "系统按职责目录生成任务并提醒；每项职责注明所依据的文件条款。"),
        ("""
        街道党建办每季度通报任务完成情况，对逾期事项督促整改。
        """, """
        ### 5.1 自查自纠
        各支部每季度按检查表自查，发现问题，分析原因，制定对策。
        ### 5.2 纠正措施
        对发现的问题指定责任人和完成时限，完成后验证措施是否有效，未见效的重新整改。
        """));

    public const string ControlV1 = """
        # 文件控制程序

        ## 1 目的
        确保党建质量管理体系文件现行有效、便于查阅，作废文件不被误用。

        ## 2 文件层级
        质量手册、程序文件、工作规范三个层级，以及所依据的党内法规（外来文件）。

        ## 3 编号
        手册 DFL-QM-xx，程序文件 DFL-QP-xx，工作规范 DFL-WI-xx，外来文件 DFL-EX-xx。

        ## 4 编写、批准与发布
        ### 4.1 编写
        由责任部门起草，写明修订原因。
        ### 4.2 批准
        由街道党建办负责人批准。
        ### 4.3 发布实施
        批准后发布实施，原版本同时作废，作废版本保留备查并标注“已作废”。
        """;

    public const string InspectionV1 = """
        # 内部检查与自查自纠程序

        ## 1 目的
        及时发现党建工作中的问题，推动自查自纠，防患于未然。

        ## 2 巡查
        ### 2.1 巡查计划
        街道党建办按季度制定巡查计划，每年覆盖全部党支部。
        ### 2.2 检查表
        检查表依据职责目录和受控文件编制，每个检查项注明条款。

        ## 3 自查
        各支部每季度按同一检查表自查，结果录入问题登记。

        ## 4 问题处理
        ### 4.1 原因分析
        支部书记分析原因，提出对策和完成时限。
        ### 4.2 效果验证
        到期后由巡查员或支委会验证，问题未再发生方可关闭。
        """;

    public const string OrgLifeV1 = """
        # 组织生活管理程序

        ## 1 目的
        规范“三会一课”、组织生活会和主题党日，保证组织生活经常、认真、严肃。

        ## 2 适用范围
        街道所属各党支部、党小组。

        ## 3 职责
        支部书记负责组织实施，支部委员协助，街道党建办检查指导。

        ## 4 要求
        ### 4.1 支部党员大会
        一般每季度召开1次，须有半数以上有表决权的党员到会方可召开，会议记录完整。
        ### 4.2 支部委员会会议
        一般每月召开1次，研究支部重要工作，须有半数以上委员到会。
        ### 4.3 党小组会
        一般每月召开1次，组织党员参加政治学习、谈心交心。
        ### 4.4 党课
        党支部每季度至少上1次党课，支部书记每年至少讲1次党课。
        ### 4.5 组织生活会
        每年至少召开1次，开展批评和自我批评，会前广泛谈心谈话。
        ### 4.6 主题党日
        每月相对固定1天开展主题党日活动。
        ### 4.7 民主评议党员
        每年开展1次，结合组织生活会进行。

        ## 5 记录
        会议记录、签到和照片在会后7日内上传系统。
        """;

    /// <summary>The draft of the procedure's second version, awaiting approval: the quorum rule and records tightened.</summary>
    public static readonly string OrgLifeV2Draft = Revise(OrgLifeV1,
        ("须有半数以上有表决权的党员到会方可召开，会议记录完整。", "须有半数以上有表决权的党员到会方可召开；因故不能到会的党员应事先请假，会后补学。"),
        ("会议记录、签到和照片在会后7日内上传系统。", "会议记录、签到和照片在会后3日内上传系统，照片须为会议当天拍摄。"));

    public static readonly DemoDocument[] Instructions =
    [
        new("DFL-WI-01", "支部党员大会工作规范", DocumentLevel.Instruction, "街道党建办", """
            # 支部党员大会工作规范

            ## 1 会前
            提前3天确定议题，报社区党委，通知全体党员。

            ## 2 会中
            ### 2.1 签到
            逐人签到，统计应到、实到、请假人数，确认到会人数过半。
            ### 2.2 议程
            按议题逐项讨论，表决事项须经到会有表决权党员半数以上同意。

            ## 3 会后
            整理会议记录，连同签到表和照片上传系统。
            """),
        new("DFL-WI-02", "主题党日活动工作规范", DocumentLevel.Instruction, "街道党建办", """
            # 主题党日活动工作规范

            ## 1 时间
            每月相对固定1天。

            ## 2 内容
            重温入党誓词、集中学习、志愿服务、认领微心愿等，每次确定一个主题。

            ## 3 佐证
            上传活动照片至少2张，写明地点和主题。
            """),
        new("DFL-WI-03", "党费收缴工作规范", DocumentLevel.Instruction, "街道党建办", """
            # 党费收缴工作规范

            ## 1 基数与比例
            按《关于中国共产党党费收缴、使用和管理的规定》确定交纳基数和比例，每年核定一次。

            ## 2 收缴
            ### 2.1 按月交纳
            党员一般按月交纳，可通过小程序在线交纳。
            ### 2.2 欠交提醒
            欠交满3个月的，支部书记谈话提醒。

            ## 3 公开
            党费收缴情况每年至少公开1次。
            """),
        new("DFL-WI-04", "发展党员工作规范", DocumentLevel.Instruction, "街道党建办", """
            # 发展党员工作规范

            ## 1 入党申请
            收到入党申请书后1个月内派人谈话。

            ## 2 积极分子与发展对象
            ### 2.1 培养考察
            确定入党积极分子后培养考察1年以上。
            ### 2.2 政治审查
            确定发展对象后进行政治审查和集中培训。

            ## 3 接收预备党员
            支部党员大会讨论表决，报上级党委审批。
            """),
        new("DFL-WI-05", "会议记录与佐证材料工作规范", DocumentLevel.Instruction, "街道党建办", """
            # 会议记录与佐证材料工作规范

            ## 1 会议记录
            写明时间、地点、主持人、记录人、应到实到人数、议题和决议。

            ## 2 照片
            ### 2.1 数量
            每次会议至少2张，能看清会场和参会人员。
            ### 2.2 时间
            照片须为会议当天拍摄，系统读取拍摄时间供审核参考。

            ## 3 上传时限
            会后7日内上传，逾期上传按逾期完成计分。
            """),
    ];

    public static readonly DemoDocument[] External =
    [
        new("DFL-EX-01", "中国共产党章程", DocumentLevel.External, "街道党建办（外来文件管理）", """
            # 中国共产党章程

            外来文件，正文以党的全国代表大会通过的正式文本为准。本体系引用的要点：

            ## 1 党员
            党员的条件、义务和权利；按期交纳党费。

            ## 2 党的组织制度
            民主集中制；党的各级组织按期召开会议。

            ## 3 党的基层组织
            党支部的基本任务；“三会一课”等组织生活。
            """),
        new("DFL-EX-02", "中国共产党支部工作条例（试行）", DocumentLevel.External, "街道党建办（外来文件管理）", """
            # 中国共产党支部工作条例（试行）

            外来文件，正文以中共中央印发的正式文本为准。本体系引用的要点：

            ## 1 组织设置
            党员3人以上的设立党支部。

            ## 2 组织生活
            ### 2.1 三会一课
            支部党员大会、支部委员会会议、党小组会和党课的频次要求。
            ### 2.2 主题党日
            党支部每月相对固定1天开展主题党日。
            ### 2.3 组织生活会和民主评议
            每年至少召开1次组织生活会，一般每年开展1次民主评议党员。
            """),
        new("DFL-EX-03", "中国共产党发展党员工作细则", DocumentLevel.External, "街道党建办（外来文件管理）", """
            # 中国共产党发展党员工作细则

            外来文件，正文以中共中央办公厅印发的正式文本为准。本体系引用的要点：

            ## 1 入党申请
            党组织收到入党申请书后，一个月内派人谈话。

            ## 2 培养教育考察
            入党积极分子经过一年以上培养教育和考察。

            ## 3 预备党员的接收与转正
            支部党员大会讨论，上级党委审批；预备期一年。
            """),
        new("DFL-EX-04", "关于中国共产党党费收缴、使用和管理的规定", DocumentLevel.External, "街道党建办（外来文件管理）", """
            # 关于中国共产党党费收缴、使用和管理的规定

            外来文件，正文以中共中央组织部印发的正式文本为准。本体系引用的要点：

            ## 1 交纳党费的比例
            按月工资收入（税后）确定比例；离退休党员和其他党员按规定标准交纳。

            ## 2 党费的收缴
            党员一般按月交纳，党支部定期公布收缴情况。

            ## 3 党费的使用和管理
            党费专款专用，定期检查。
            """),
    ];

    /// <summary>The clauses the demo's duties cite.</summary>
    public static readonly (string Code, string Clause)[] DutyClauses =
    [
        ("member_meeting", "DFL-QP-03 §4.1"), ("committee_meeting", "DFL-QP-03 §4.2"), ("group_meeting", "DFL-QP-03 §4.3"),
        ("party_lecture", "DFL-QP-03 §4.4"), ("theme_party_day", "DFL-QP-03 §4.6"), ("org_life_meeting", "DFL-QP-03 §4.5"),
        ("member_appraisal", "DFL-QP-03 §4.7"), ("party_dues", "DFL-WI-03 §2.1"),
    ];

    /// <summary>A later version of <paramref name="text"/>: each old passage, found exactly once, replaced by the new one.</summary>
    private static string Revise(string text, params (string Old, string New)[] changes)
    {
        foreach (var (old, @new) in changes)
        {
            var at = text.IndexOf(old, StringComparison.Ordinal);
            if (at < 0 || text.IndexOf(old, at + 1, StringComparison.Ordinal) >= 0)
                throw new InvalidOperationException($"A demo revision's passage is not in the text exactly once: {old}");
            text = string.Concat(text.AsSpan(0, at), @new, text.AsSpan(at + old.Length));
        }
        return text;
    }
}
