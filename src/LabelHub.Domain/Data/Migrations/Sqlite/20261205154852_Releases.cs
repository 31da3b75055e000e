using System;
using LabelHub.Domain.Releases;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Releases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "releases",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<int>(type: "INTEGER", nullable: false),
                    state = table.Column<int>(type: "INTEGER", nullable: false),
                    job_run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_by_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true),
                    settings = table.Column<string>(type: "TEXT", nullable: false),
                    previous_release_id = table.Column<long>(type: "INTEGER", nullable: true),
                    item_count = table.Column<int>(type: "INTEGER", nullable: false),
                    summary = table.Column<string>(type: "TEXT", nullable: true),
                    diff = table.Column<string>(type: "TEXT", nullable: true),
                    datasheet = table.Column<string>(type: "TEXT", nullable: true),
                    manifest_sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_releases", x => x.id);
                    table.ForeignKey(
                        name: "fk_releases_job_runs_job_run_id",
                        column: x => x.job_run_id,
                        principalTable: "job_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_releases_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_releases_releases_previous_release_id",
                        column: x => x.previous_release_id,
                        principalTable: "releases",
                        principalColumn: "id");
                });

            migrationBuilder.CreateTable(
                name: "release_items",
                columns: table => new
                {
                    release_id = table.Column<long>(type: "INTEGER", nullable: false),
                    item_id = table.Column<long>(type: "INTEGER", nullable: false),
                    split = table.Column<short>(type: "INTEGER", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    answers = table.Column<string>(type: "TEXT", nullable: false),
                    change_reason = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_release_items", x => new { x.release_id, x.item_id });
                    table.ForeignKey(
                        name: "fk_release_items_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id");
                    table.ForeignKey(
                        name: "fk_release_items_releases_release_id",
                        column: x => x.release_id,
                        principalTable: "releases",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_release_items_item_id",
                table: "release_items",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_releases_job_run_id",
                table: "releases",
                column: "job_run_id");

            migrationBuilder.CreateIndex(
                name: "ix_releases_previous_release_id",
                table: "releases",
                column: "previous_release_id");

            migrationBuilder.CreateIndex(
                name: "ix_releases_project_id_number",
                table: "releases",
                columns: new[] { "project_id", "number" },
                unique: true);

            // A finished release never changes (ADR 0020): its items are never updated, and neither it nor its items are
            // deleted unless the project was archived (deleting a project for good removes its releases).
            migrationBuilder.Sql(ReleaseImmutability.SqliteUp);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ReleaseImmutability.SqliteDown);
            migrationBuilder.DropTable(
                name: "release_items");

            migrationBuilder.DropTable(
                name: "releases");
        }
    }
}
