using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CleansingFindings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "duplicate_of_item_id",
                table: "items",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "cleansing_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    job_run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    rule_set_version = table.Column<int>(type: "integer", nullable: true),
                    settings = table.Column<string>(type: "text", nullable: false),
                    started_by_id = table.Column<Guid>(type: "uuid", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    findings = table.Column<int>(type: "integer", nullable: false),
                    corrections = table.Column<int>(type: "integer", nullable: false),
                    before = table.Column<string>(type: "text", nullable: true),
                    after = table.Column<string>(type: "text", nullable: true),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cleansing_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_cleansing_runs_job_runs_job_run_id",
                        column: x => x.job_run_id,
                        principalTable: "job_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_cleansing_runs_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cleansing_findings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    annotation_id = table.Column<long>(type: "bigint", nullable: true),
                    field = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    source = table.Column<int>(type: "integer", nullable: false),
                    code = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    suggestion = table.Column<string>(type: "text", nullable: true),
                    score = table.Column<double>(type: "double precision", nullable: false),
                    state = table.Column<int>(type: "integer", nullable: false),
                    resolved_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    resolved_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    result_annotation_id = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cleansing_findings", x => x.id);
                    table.ForeignKey(
                        name: "fk_cleansing_findings_cleansing_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "cleansing_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_cleansing_findings_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_cleansing_findings_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "duplicate_groups",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    representative_item_id = table.Column<long>(type: "bigint", nullable: false),
                    decision = table.Column<int>(type: "integer", nullable: false),
                    kept_item_id = table.Column<long>(type: "bigint", nullable: true),
                    decided_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_duplicate_groups", x => x.id);
                    table.ForeignKey(
                        name: "fk_duplicate_groups_cleansing_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "cleansing_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_duplicate_groups_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "duplicate_group_members",
                columns: table => new
                {
                    group_id = table.Column<long>(type: "bigint", nullable: false),
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    similarity = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_duplicate_group_members", x => new { x.group_id, x.item_id });
                    table.ForeignKey(
                        name: "fk_duplicate_group_members_duplicate_groups_group_id",
                        column: x => x.group_id,
                        principalTable: "duplicate_groups",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_duplicate_group_members_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_cleansing_findings_item_id",
                table: "cleansing_findings",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_cleansing_findings_project_id_item_id",
                table: "cleansing_findings",
                columns: new[] { "project_id", "item_id" });

            migrationBuilder.CreateIndex(
                name: "ix_cleansing_findings_project_id_state_source_score",
                table: "cleansing_findings",
                columns: new[] { "project_id", "state", "source", "score" });

            migrationBuilder.CreateIndex(
                name: "ix_cleansing_findings_run_id",
                table: "cleansing_findings",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "ix_cleansing_runs_job_run_id",
                table: "cleansing_runs",
                column: "job_run_id");

            migrationBuilder.CreateIndex(
                name: "ix_cleansing_runs_project_id_id",
                table: "cleansing_runs",
                columns: new[] { "project_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_duplicate_group_members_item_id",
                table: "duplicate_group_members",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_duplicate_groups_project_id_decision_id",
                table: "duplicate_groups",
                columns: new[] { "project_id", "decision", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_duplicate_groups_run_id",
                table: "duplicate_groups",
                column: "run_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cleansing_findings");

            migrationBuilder.DropTable(
                name: "duplicate_group_members");

            migrationBuilder.DropTable(
                name: "duplicate_groups");

            migrationBuilder.DropTable(
                name: "cleansing_runs");

            migrationBuilder.DropColumn(
                name: "duplicate_of_item_id",
                table: "items");
        }
    }
}
