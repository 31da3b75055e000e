using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PlanSourcesCrowd : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "plan",
                table: "projects",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<string>(
                name: "targets",
                table: "projects",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.AddColumn<string>(
                name: "search_text",
                table: "items",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "source_id",
                table: "items",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "crowd_invites",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    max_people = table.Column<int>(type: "INTEGER", nullable: true),
                    qualification_items = table.Column<int>(type: "INTEGER", nullable: false),
                    qualification_pass_rate = table.Column<double>(type: "REAL", nullable: false),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_by_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_crowd_invites", x => x.id);
                    table.ForeignKey(
                        name: "fk_crowd_invites_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "item_sources",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    licence = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    collected_on = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    import_job_run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_by_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_item_sources", x => x.id);
                    table.ForeignKey(
                        name: "fk_item_sources_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "crowd_members",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    invite_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    qualification = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    qualification_answered = table.Column<int>(type: "INTEGER", nullable: false),
                    qualification_correct = table.Column<int>(type: "INTEGER", nullable: false),
                    signed_up_at = table.Column<long>(type: "INTEGER", nullable: false),
                    decided_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    decided_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_crowd_members", x => x.id);
                    table.ForeignKey(
                        name: "fk_crowd_members_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_crowd_members_crowd_invites_invite_id",
                        column: x => x.invite_id,
                        principalTable: "crowd_invites",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_items_source_id",
                table: "items",
                column: "source_id");

            migrationBuilder.CreateIndex(
                name: "ix_crowd_invites_project_id_created_at",
                table: "crowd_invites",
                columns: new[] { "project_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_crowd_invites_token_hash",
                table: "crowd_invites",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_crowd_members_invite_id_state",
                table: "crowd_members",
                columns: new[] { "invite_id", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_crowd_members_project_id_user_id",
                table: "crowd_members",
                columns: new[] { "project_id", "user_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_crowd_members_user_id",
                table: "crowd_members",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_item_sources_import_job_run_id",
                table: "item_sources",
                column: "import_job_run_id");

            migrationBuilder.CreateIndex(
                name: "ix_item_sources_project_id_id",
                table: "item_sources",
                columns: new[] { "project_id", "id" });

            migrationBuilder.AddForeignKey(
                name: "fk_items_item_sources_source_id",
                table: "items",
                column: "source_id",
                principalTable: "item_sources",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_items_item_sources_source_id",
                table: "items");

            migrationBuilder.DropTable(
                name: "crowd_members");

            migrationBuilder.DropTable(
                name: "item_sources");

            migrationBuilder.DropTable(
                name: "crowd_invites");

            migrationBuilder.DropIndex(
                name: "ix_items_source_id",
                table: "items");

            migrationBuilder.DropColumn(
                name: "plan",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "targets",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "search_text",
                table: "items");

            migrationBuilder.DropColumn(
                name: "source_id",
                table: "items");
        }
    }
}
