using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ServiceAccounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "is_service_account",
                table: "AspNetUsers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<Guid>(
                name: "project_id",
                table: "access_tokens",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "role",
                table: "access_tokens",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_access_tokens_project_id",
                table: "access_tokens",
                column: "project_id");

            migrationBuilder.AddForeignKey(
                name: "fk_access_tokens_projects_project_id",
                table: "access_tokens",
                column: "project_id",
                principalTable: "projects",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_access_tokens_projects_project_id",
                table: "access_tokens");

            migrationBuilder.DropIndex(
                name: "ix_access_tokens_project_id",
                table: "access_tokens");

            migrationBuilder.DropColumn(
                name: "is_service_account",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "project_id",
                table: "access_tokens");

            migrationBuilder.DropColumn(
                name: "role",
                table: "access_tokens");
        }
    }
}
